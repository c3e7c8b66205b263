"""Loads pages in headless Chromium over the DevTools protocol (a pipe, standard library only) and
reports, per page: console messages, uncaught exceptions, failed loads, resources from another
origin, horizontal overflow at laptop width, unlabelled form fields, images without alt text or
that did not load, SVG charts without an accessible name, text overflowing its box, chart labels
outside their chart, controls the keyboard cannot reach or that have no name. Every page is checked
at each width (1366 and 1920 by default) and saved as a screenshot.

    python browser_check.py --out DIR URL [URL ...]     prints a JSON report; exit 1 on any problem
    python browser_check.py --out DIR --until JS [--step JS] [--timeout S] URL
        loads URL, runs the step (a same-origin change, say), then waits for the condition to hold
        without the page reloading: how a live page is checked to update itself. Exit 1 if it never does.
"""
import argparse, base64, json, os, shutil, subprocess, sys, tempfile, time

CHECKS = r"""
(() => {
  const problems = [];
  const de = document.documentElement;
  if (de.scrollWidth > window.innerWidth + 1) problems.push(`page is ${de.scrollWidth}px wide in a ${window.innerWidth}px window`);
  if (!de.lang) problems.push('html has no lang');
  if (!document.querySelector('h1')) problems.push('no h1');
  if (!document.title) problems.push('no title');
  for (const el of document.querySelectorAll('input:not([type=hidden]),select,textarea')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) problems.push(`unlabelled ${el.tagName.toLowerCase()} ${el.name || el.id}`);
  }
  for (const img of document.images) {
    if (!img.getAttribute('alt')) problems.push(`img without alt: ${img.src}`);
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (!svg.getAttribute('aria-label') && !svg.querySelector('title')) problems.push('svg without an accessible name');
  }
  // Text overflowing its box (cut off or spilling over a neighbour), outside containers that scroll.
  const scrolls = el => { for (let p = el; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  for (const el of document.querySelectorAll('h1,h2,p,a,button,label,summary,td,th,span,figcaption,li')) {
    if (el.closest('svg') || !el.clientWidth) continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline') continue;
    if (el.scrollWidth > el.clientWidth + 1 && !scrolls(el)) problems.push(`text overflows its box: <${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 40)}"`);
  }
  // Chart labels inside their chart (a y-axis label cut at the left edge, a legend past the right).
  for (const svg of document.querySelectorAll('svg')) {
    const w = svg.viewBox.baseVal && svg.viewBox.baseVal.width || svg.width.baseVal.value, h = svg.viewBox.baseVal && svg.viewBox.baseVal.height || svg.height.baseVal.value;
    for (const t of svg.querySelectorAll('text')) {
      if (t.getAttribute('transform')) continue;
      const b = t.getBBox();
      if (b.width && (b.x < -0.5 || b.x + b.width > w + 0.5 || b.y < -0.5 || b.y + b.height > h + 0.5))
        problems.push(`chart text outside its chart: "${t.textContent.slice(0, 30)}" in "${(svg.getAttribute('aria-label') || '').slice(0, 30)}"`);
    }
  }
  // Keyboard: every control can take the focus and says what it is.
  for (const el of document.querySelectorAll('a[href],button,input:not([type=hidden]),select,textarea,summary')) {
    if (el.tabIndex < 0 && !el.disabled) problems.push(`not reachable by keyboard: ${el.tagName.toLowerCase()} ${el.name || el.textContent.trim().slice(0, 30)}`);
    const name = (el.getAttribute('aria-label') || el.textContent || el.value || el.title || (el.labels && el.labels.length ? 'x' : '') || el.placeholder || '').trim();
    if (!name && !(el.labels && el.labels.length)) problems.push(`control without an accessible name: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const r of performance.getEntriesByType('resource')) {
    if (new URL(r.name).origin !== location.origin && !r.name.startsWith('data:')) problems.push(`external resource ${r.name}`);
  }
  return JSON.stringify({problems, svgs: document.querySelectorAll('svg').length, images: document.images.length,
                         links: document.links.length, height: de.scrollHeight});
})()
"""

IMAGES_LOADED = r"""
(async () => {
  const imgs = [...document.images];
  for (const i of imgs) i.loading = 'eager';  // lazy images below the fold load too
  const all = Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  await Promise.race([all, new Promise(r => setTimeout(r, 15000))]);
  return JSON.stringify(imgs.filter(i => !(i.naturalWidth > 0)).map(i => i.src));
})()
"""


class Browser:
    def __init__(self, chromium, width, height):
        self.profile = tempfile.mkdtemp(prefix="pulk-chromium-")
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()

        def wire():
            # Copies first, so neither target number is one of the pipes' own (dup2 onto a
            # different fd also clears close-on-exec).
            a, b = os.dup(cmd_r), os.dup(out_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            preexec_fn=wire, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(out_w)
        self.next_id = 0
        self.buffer = b""
        self.events = []
        self.width, self.height = width, height

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        wanted = self.next_id
        while True:
            m = self.read()
            if m.get("id") == wanted:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def read(self, timeout=60):
        deadline = time.time() + timeout
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self.out_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, name, session, timeout=60):
        deadline = time.time() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == name and e.get("sessionId") == session:
                del self.events[i]
                return e
        while time.time() < deadline:
            m = self.read(timeout)
            if m.get("method") == name and m.get("sessionId") == session:
                return m
            self.events.append(m)
        raise TimeoutError(name)

    def check(self, url, shot):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
            self.send(m, session=s)
        self.send("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False}, session=s)
        self.events.clear()
        started = time.time()
        self.send("Page.navigate", {"url": url}, session=s)
        self.wait_event("Page.loadEventFired", s)
        loaded_ms = (time.time() - started) * 1000
        failed = json.loads(self.send("Runtime.evaluate", {"expression": IMAGES_LOADED, "awaitPromise": True, "returnByValue": True}, session=s)["result"]["value"])
        report = json.loads(self.send("Runtime.evaluate", {"expression": CHECKS, "returnByValue": True}, session=s)["result"]["value"])
        problems = report["problems"] + [f"image did not load: {u}" for u in failed]
        time.sleep(0.05)  # let late console events arrive before the pipe is drained
        self.send("Runtime.evaluate", {"expression": "1"}, session=s)
        for e in self.events:
            if e.get("sessionId") != s:
                continue
            p = e.get("params", {})
            if e.get("method") == "Runtime.consoleAPICalled":
                problems.append(f"console.{p.get('type')}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e.get("method") == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                problems.append("uncaught exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
            elif e.get("method") == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                problems.append(f"log {p['entry']['level']}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif e.get("method") == "Network.loadingFailed":
                problems.append(f"load failed: {p.get('errorText')}")
            elif e.get("method") == "Network.responseReceived" and p.get("response", {}).get("status", 200) >= 400:
                problems.append(f"HTTP {p['response']['status']} for {p['response']['url']}")
        # The whole page (up to 6,000 px), as laid out at the laptop width.
        clip = {"x": 0, "y": 0, "width": self.width, "height": min(max(report["height"], self.height), 6000), "scale": 1}
        png = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}, session=s)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        self.send("Target.closeTarget", {"targetId": target})
        self.events.clear()
        return {"url": url, "problems": problems, "load_ms": round(loaded_ms, 1), "screenshot": shot,
                **{k: report[k] for k in ("svgs", "images", "links", "height")}}

    def watch(self, url, step, until, timeout):
        """Loads url, marks the document, evaluates `step`, then polls `until` (true within `timeout`
        seconds?) and whether the marked document is still the one shown (no reload)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Runtime.enable", "Page.enable"):
            self.send(m, session=s)
        self.send("Page.navigate", {"url": url}, session=s)
        self.wait_event("Page.loadEventFired", s)

        def evaluate(expression):
            r = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, session=s)
            if "exceptionDetails" in r:
                raise RuntimeError(f"{expression[:60]}: {r['exceptionDetails'].get('text')}")
            return r["result"].get("value")

        evaluate("window.__pulkMarker = 1")
        before = bool(evaluate(until))
        if step:
            evaluate(step)
        started, reached = time.time(), False
        while time.time() - started < timeout:
            if evaluate(until):
                reached = True
                break
            time.sleep(0.1)
        same = evaluate("window.__pulkMarker === 1")
        text = evaluate("document.body.innerText")
        self.send("Target.closeTarget", {"targetId": target})
        return {"url": url, "before": before, "reached": reached, "same_document": same,
                "seconds": round(time.time() - started, 2), "text": text[:20000]}

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    ap.add_argument("--widths", default="1366,1920", help="window widths, comma-separated; every page is checked at each")
    ap.add_argument("--height", type=int, default=768)
    ap.add_argument("--until", help="watch mode: a JavaScript condition to wait for on the first URL")
    ap.add_argument("--step", help="watch mode: JavaScript run once the page has loaded")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("urls", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.until:
        b = Browser(a.chromium, 1366, a.height)
        try:
            r = b.watch(a.urls[0], a.step, a.until, a.timeout)
        finally:
            b.close()
        print(json.dumps(r, indent=1))
        sys.exit(0 if r["reached"] and r["same_document"] and not r["before"] else 1)
    results = []
    for width in [int(w) for w in a.widths.split(",")]:
        b = Browser(a.chromium, width, a.height)
        try:
            for i, url in enumerate(a.urls):
                r = b.check(url, os.path.join(a.out, f"page-{i:02d}-{width}.png"))
                r["width"] = width
                results.append(r)
        finally:
            b.close()
    print(json.dumps(results, indent=1))
    sys.exit(1 if any(r["problems"] for r in results) else 0)


if __name__ == "__main__":
    main()
