"""The pictures: the flame graph (core/flamegraph.c) and funclatency's latency heat map.

Each SVG is parsed as XML with exact expectations (every frame's value, every heat map cell
summing to the calls the target made), then rendered by a headless Chromium driven over the
DevTools protocol: a screenshot shows the frames drawn, a click zooms, a search highlights.
"""

import base64
import json
import re
import shutil
import struct
import urllib.request
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from conftest import BUILD, collect, kill_proc, run_tracer, spawn, start_rpc_service, target, wait_line

pytestmark = pytest.mark.usefixtures("no_leftovers")

NS = "{http://www.w3.org/2000/svg}"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FG_DRIVER = BUILD / "tests" / "test_flamegraph"
FULL = 1180.0  # the flame graph's drawing width: 1200 pixels less 10 on each side

# The synthetic profile of tests/unit/test_flamegraph.c: name -> (value, share, class)
FRAMES = {
    "all": (1000000, "100.00%", "r"),
    "app": (960000, "96.00%", "c"),
    "odd<&>\"'": (40000, "4.00%", "c"),
    "runtime.main": (950020, "95.00%", "u"),
    "main.main": (950020, "95.00%", "u"),
    "main.hotLoop": (850000, "85.00%", "u"),
    "main.mix": (600000, "60.00%", "i"),
    "runtime.mallocgc": (100000, "10.00%", "u"),
    "do_anonymous_page_[k]": (100000, "10.00%", "k"),
    "clear_page_erms_[k]": (100000, "10.00%", "k"),
    "[Missed User Stack]": (9980, "1.00%", "m"),
    "h\u00e9llo\u2192": (40000, "4.00%", "u"),
    "bad\\xff\\xfe<name>": (40000, "4.00%", "u"),
    "main.Map[go.shape.int,go.shape.string]": (40000, "4.00%", "u"),
}


# ---- reading pictures ----------------------------------------------------------------------

def flame_frames(path):
    """name -> dict(value, share, cls, x, y, w, fill, title) of every frame of a flame graph."""
    root = ET.parse(path).getroot()
    frames = {}
    for g in root.iter(NS + "g"):
        cls = (g.get("class") or "").split()
        if cls[:1] != ["f"]:
            continue
        title = g.find(NS + "title").text
        name, info = title.split("\n")
        m = re.match(r"([\d,]+) samples, ([\d.]+%)", info)
        r = g.find(NS + "rect")
        assert name not in frames, f"{name} twice: equal paths are merged"
        frames[name] = dict(value=int(m.group(1).replace(",", "")), share=m.group(2), cls=cls[1],
                            x=float(r.get("x")), y=float(r.get("y")), w=float(r.get("width")),
                            h=float(r.get("height")), fill=r.get("fill"), title=title,
                            text=g.find(NS + "text").text or "")
    return frames


def rgb(fill):
    return tuple(int(v) for v in re.match(r"rgb\((\d+),(\d+),(\d+)\)", fill).groups())


def decode_png(data):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0
        elif typ == b"IDAT":
            idat += body
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, rows, i = bytearray(stride), [], 0
    for _ in range(h):
        ft, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 255
        rows.append([tuple(line[k:k + 3]) for k in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def near(a, b, tol=3):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def coloured(px):
    """Not white, grey or black: a frame or a cell, not the background or text."""
    return max(px) - min(px) > 40


# ---- a headless Chromium, driven over the DevTools protocol ---------------------------------

class Browser:
    def __init__(self, tmp_path):
        import websocket  # python3-websocket: only this test needs it

        self.proc = spawn([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           f"--user-data-dir={tmp_path / 'chromium'}", "--remote-debugging-port=0",
                           "--remote-allow-origins=*", "--no-first-run", "--no-default-browser-check",
                           "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--disable-extensions", "--hide-scrollbars",
                           "--force-color-profile=srgb", "about:blank"])
        line = wait_line(self.proc, r"DevTools listening on ws://", timeout=30, stream="stderr")
        port = re.search(r"ws://127\.0\.0\.1:(\d+)/", line).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        self.id, self.events = 0, []
        self.call("Page.enable")

    def close(self):
        self.ws.close()
        kill_proc(self.proc)  # its process group: this chromium and its helpers only

    def send(self, method, **params):
        self.id += 1
        self.ws.send(json.dumps({"id": self.id, "method": method, "params": params}))
        return self.id

    def _recv(self):
        msg = json.loads(self.ws.recv())
        if "method" in msg:
            self.events.append(msg)
        return msg

    def wait(self, mid):
        while True:
            msg = self._recv()
            if msg.get("id") == mid:
                assert "error" not in msg, msg
                return msg["result"]

    def call(self, method, **params):
        return self.wait(self.send(method, **params))

    def event(self, method):
        while True:
            for e in self.events:
                if e["method"] == method:
                    self.events.remove(e)
                    return e["params"]
            self._recv()

    def open(self, path, width, height):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.events.clear()
        self.call("Page.navigate", url=Path(path).resolve().as_uri())
        self.event("Page.loadEventFired")

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        assert "exceptionDetails" not in r, r
        return r["result"].get("value")

    def screenshot(self, save=None):
        data = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        if save:
            Path(save).write_bytes(data)
        return decode_png(data)

    def click(self, x, y, wait=True):
        """A left click at (x, y); wait=False leaves the release's answer pending (a dialog)."""
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left",
                  clickCount=1)
        mid = self.send("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y,
                        button="left", clickCount=1)
        return self.wait(mid) if wait else mid


@pytest.fixture
def browser(tmp_path):
    b = Browser(tmp_path)
    yield b
    b.close()


# ---- the flame graph -----------------------------------------------------------------------

def write_flamegraph(tmp_path):
    svg = tmp_path / "fg.svg"
    p = spawn([FG_DRIVER], env={"TK_FLAMEGRAPH_SVG": svg})
    rc, out, err = collect(p)
    assert rc == 0, out + err
    return svg


def test_flamegraph_xml_frames_exact(tmp_path):
    svg = write_flamegraph(tmp_path)
    root = ET.parse(svg).getroot()
    frames = flame_frames(svg)
    assert {n: (f["value"], f["share"], f["cls"]) for n, f in frames.items()} == FRAMES
    # width is the value's share; children stand on their parent, the root at the bottom
    for f in frames.values():
        assert abs(f["w"] - FULL * f["value"] / 1e6) < 0.01, f
    assert frames["main.mix"]["y"] == frames["main.hotLoop"]["y"] - 16
    assert frames["main.hotLoop"]["y"] == frames["main.main"]["y"] - 16
    mix, loop = frames["main.mix"], frames["main.hotLoop"]
    assert loop["x"] <= mix["x"] and mix["x"] + mix["w"] <= loop["x"] + loop["w"]
    # the kernel's frames are blue, the program's warm; 20 one-sample frames are left out,
    # and their parent says so
    assert all(rgb(f["fill"])[2] > rgb(f["fill"])[0] for f in frames.values() if f["cls"] == "k")
    assert all(rgb(f["fill"])[0] > rgb(f["fill"])[2] for f in frames.values() if f["cls"] in "ui")
    assert frames["main.main"]["title"].endswith(", 20 narrower frames not drawn")
    # names fit their frames (monospace 12px: 7.2 px a character), cut with ".."
    assert frames["runtime.mallocgc"]["text"] == "runtime.mallo.."  # 118 px: 15 characters
    assert frames["main.Map[go.shape.int,go.shape.string]"]["text"] == "mai.."  # 47.2 px
    assert frames["all"]["text"] == "all"
    texts = [t.text for t in root.iter(NS + "text")]
    assert "CPU <profile>" in texts and "profile -F 99, 30 s" in texts
    # offline: nothing is fetched (no href, no url other than the document's own gradient)
    body = svg.read_text()
    assert "href" not in body and "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_flamegraph_renders_zooms_and_searches(tmp_path, browser):
    svg = write_flamegraph(tmp_path)
    frames = flame_frames(svg)
    height = int(ET.parse(svg).getroot().get("height"))
    browser.open(svg, 1200, height)
    assert browser.js("fg.frames.length") == len(FRAMES)

    def centre(name):
        f = frames[name]
        return f["x"] + f["w"] / 2, f["y"] + 4  # above the text's baseline

    w, h, px = browser.screenshot(tmp_path / "fg.png")
    assert (w, h) == (1200, height)
    for name in ("main.hotLoop", "clear_page_erms_[k]", "runtime.mallocgc", "app"):
        x, y = centre(name)
        assert near(px[int(y)][int(x)], rgb(frames[name]["fill"])), name
    # the coloured frames' area, less their names' pixels
    area = sum(f["w"] * f["h"] for f in frames.values() if coloured(rgb(f["fill"])))
    assert 0.8 * area < sum(coloured(p) for row in px for p in row) <= area + 2 * len(frames) * 16

    # a click on main.hotLoop: it fills the width, its ancestors span it faded, the rest goes
    browser.click(*centre("main.hotLoop"))
    state = browser.js("""(function () { var o = {}; fg.frames.forEach(function (f) {
        o[f.name] = [+f.r.getAttribute('width'), f.g.style.display !== 'none',
                     f.g.classList.contains('anc')]; }); return o; })()""")
    assert abs(state["main.hotLoop"][0] - FULL) < 0.01 and state["main.hotLoop"][1:] == [True, False]
    assert abs(state["main.mix"][0] - FULL * 600 / 850) < 0.01
    for anc in ("all", "app", "runtime.main", "main.main"):
        assert state[anc] == [FULL, True, True], anc
    for gone in ("runtime.mallocgc", "clear_page_erms", "odd<&>\"'", "[Missed User Stack]"):
        assert state[gone][1] is False, gone
    assert browser.js("document.getElementById('reset').style.display") == ""
    _, _, zoomed = browser.screenshot(tmp_path / "fg-zoomed.png")
    assert zoomed != px
    mix_y = int(frames["main.mix"]["y"] + 4)
    assert near(zoomed[mix_y][int(10 + FULL * 600 / 850 - 20)], rgb(frames["main.mix"]["fill"]))
    assert not coloured(zoomed[mix_y][int(10 + FULL * 600 / 850 + 20)])

    # Reset Zoom
    box = browser.js("(function () { var b = document.getElementById('reset').getBBox();"
                     " return [b.x + b.width / 2, b.y + b.height / 2]; })()")
    browser.click(*box)
    assert abs(browser.js("+fg.frames.filter(function (f) { return f.name === 'main.hotLoop'; })[0]"
                          ".r.getAttribute('width')") - FULL * 0.85) < 0.01

    # Search: the control prompts for a regex; matches turn magenta with their share
    box = browser.js("(function () { var b = document.getElementById('search').getBBox();"
                     " return [b.x + b.width / 2, b.y + b.height / 2]; })()")
    pending = browser.click(*box, wait=False)
    dialog = browser.event("Page.javascriptDialogOpening")
    assert dialog["type"] == "prompt"
    browser.call("Page.handleJavaScriptDialog", accept=True, promptText=r"^main\.(mix|hotLoop)$|malloc")
    browser.wait(pending)
    assert browser.js("document.getElementById('matched').textContent") == "Matched: 95.0%"
    _, _, found = browser.screenshot(tmp_path / "fg-search.png")
    for name in ("main.mix", "runtime.mallocgc"):
        x, y = centre(name)
        assert near(found[int(y)][int(x)], (230, 0, 230)), name
    x, y = centre("main.main")
    assert near(found[int(y)][int(x)], rgb(frames["main.main"]["fill"]))
    # hovering shows the frame's details on the bottom line
    browser.call("Input.dispatchMouseEvent", type="mouseMoved", x=centre("main.mix")[0],
                 y=centre("main.mix")[1])
    assert browser.js("document.getElementById('details').textContent") == \
        "main.mix: 600,000 samples, 60.00%, inlined"


# ---- the latency heat map ------------------------------------------------------------------

def heat_cells(path):
    root = ET.parse(path).getroot()
    return root, [dict(col=int(r.get("data-col")), slot=int(r.get("data-slot")),
                       calls=int(r.get("data-calls")), x=float(r.get("x")), y=float(r.get("y")),
                       w=float(r.get("width")), h=float(r.get("height")), fill=r.get("fill"),
                       title=r.find(NS + "title").text)
                  for r in root.iter(NS + "rect") if r.get("data-calls")]


def hist_rows(out):
    """slot -> count of funclatency's text histogram (row "low -> high": slot of high)."""
    return {int(hi).bit_length() or 1: int(c)
            for lo, hi, c in re.findall(r"^\s*(\d+) -> (\d+)\s+: (\d+)\s+\|", out, re.M)
            if int(c)}


def test_heatmap_go_cells_sum_to_calls(tmp_path, browser):
    """gostress's main.f: every call in one cell; cells per row equal the text histogram."""
    binary = target("gostress")
    svg = tmp_path / "lat.svg"
    t = run_tracer(["funclatency", "--heatmap", svg, "--heatmap-interval", "0.25",
                    f"{binary}:main.f"])
    p = spawn([binary, "-mode", "mix", "-n", 2000, "-g", 8])
    rc, out, err = collect(p, 120)
    calls = int(re.search(r"calls=(\d+)", out).group(1))
    rc, tout, err = t.stop()
    assert rc == 0, err
    assert re.search(rf"^Wrote the latency heat map \(\d+ columns\) to {re.escape(str(svg))}$",
                     err, re.M), err
    root, cells = heat_cells(svg)
    assert sum(c["calls"] for c in cells) == calls == 2000
    by_slot = {}
    for c in cells:
        by_slot[c["slot"]] = by_slot.get(c["slot"], 0) + c["calls"]
    assert by_slot == hist_rows(tout), tout
    # mix sleeps 1 ms in one call of five: 400 calls of 1 ms or more, in slot 20
    # ([524,288, 1,048,575] ns) and up
    assert sum(n for s, n in by_slot.items() if s >= 20) >= 400
    for c in cells:
        assert re.match(r"[\d.]+-[\d.]+ s, (0|[\d.]+ [nmu]?s)-[\d.]+ [nmu]?s: [\d,]+ calls?$",
                        c["title"]), c
    texts = [t.text for t in root.iter(NS + "text")]
    assert "Latency Heat Map" in texts and "Time from start (s)" in texts
    assert any(t and t.endswith(" ms") for t in texts) and any(t and t.endswith(" us") for t in texts)

    # rendered: every cell drawn in its colour
    browser.open(svg, int(root.get("width")), int(root.get("height")))
    _, _, px = browser.screenshot(tmp_path / "lat.png")
    big = [c for c in cells if c["w"] >= 4]
    assert big
    for c in big:
        assert near(px[int(c["y"] + c["h"] / 2)][int(c["x"] + c["w"] / 2)], rgb(c["fill"])), c


def test_heatmap_pid_units_interval(tmp_path, rpc_service):
    """-p, -u, -i, -d: the columns follow -i; 40 calls in the cells, written when -d ends."""
    svg = tmp_path / "rpc.svg"
    t = run_tracer(["funclatency", "-u", "-i", 1, "-d", 3, "--heatmap", svg, "-p",
                    rpc_service.pid, f"{rpc_service.bin}:main.*.Mul"])
    rpc_service.call(36)
    rpc_service.call(4, a=-3, b=1)  # 3 ms each
    rc, out, err = t.wait(30)
    assert rc == 0 and "Wrote the latency heat map (3 columns)" in err, err
    root, cells = heat_cells(svg)
    assert sum(c["calls"] for c in cells) == 40
    # 3 ms: slot 12 ([2048, 4095] us) and up
    assert sum(c["calls"] for c in cells if c["slot"] >= 12) == 4
    assert any("columns of 1 s" in (t.text or "") for t in root.iter(NS + "text"))
    assert any((t.text or "").endswith(" ms") for t in root.iter(NS + "text"))


def test_heatmap_errors(tmp_path):
    binary = target("gostress")
    for args, msg in ((["--heatmap-interval", "0"], "--heatmap-interval"),
                      (["--heatmap", "/nonexistent/dir/x.svg"], "/nonexistent/dir")):
        p = spawn([BUILD / "tracekit", "funclatency", *args, f"{binary}:main.f"])
        rc, out, err = collect(p, 30)
        # argparse's usage lines, or none, then one error line; nothing traced, no file
        assert rc != 0 and msg in err.strip().splitlines()[-1], (rc, out, err)
        assert "Tracing" not in out
