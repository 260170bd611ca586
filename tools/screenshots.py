#!/usr/bin/env python3
"""Screenshots of a running Odoo, as a signed-in user sees it, in headless Chromium.

    python3 tools/screenshots.py --url http://localhost:8069 --db iso10002_demo \\
        --login admin --password admin --out /tmp/shots [--lang fa_IR] [--phone] PATH [PATH ...]

Each PATH (e.g. /odoo/action-iso10002_complaints.iso10002_complaint_action) becomes a
PNG in --out, named after it. --phone uses a 390 x 844 viewport. Used to look at the
app as its users do, and for the Apps page's screenshots (static/description/).
"""

import argparse
import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket  # websocket-client, as Odoo's own browser tests use


def session_id(url, db, login, password, lang=None):
    payload = {"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}}
    request = urllib.request.Request(
        f"{url}/web/session/authenticate", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        result = json.loads(response.read())
        if result.get("error"):
            raise SystemExit(f"cannot sign in: {result['error']['data']['message']}")
        cookie = response.headers.get("Set-Cookie", "")
    sid = re.search(r"session_id=([^;]+)", cookie).group(1)
    if lang:
        payload = {
            "jsonrpc": "2.0",
            "params": {
                "model": "res.users",
                "method": "write",
                "args": [[result["result"]["uid"]], {"lang": lang}],
                "kwargs": {},
            },
        }
        request = urllib.request.Request(
            f"{url}/web/dataset/call_kw",
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", "Cookie": f"session_id={sid}"},
        )
        urllib.request.urlopen(request).read()
    return sid


class Chrome:
    def __init__(self, width, height, mobile):
        self.profile = tempfile.mkdtemp(prefix="iso10002-chrome-")
        self.proc = subprocess.Popen(
            [
                shutil.which("chromium") or "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in self.proc.stderr:
            if match := re.search(r"DevTools listening on (ws://\S+)", line):
                break
        port = re.search(r":(\d+)/", match.group(1)).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as response:
            page = next(t for t in json.loads(response.read()) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def shot(self, url, path, settle=8.0):
        self.call("Page.navigate", url=url)
        time.sleep(settle)  # the web client renders after load
        data = self.call("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="iso10002_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--lang")
    parser.add_argument("--phone", action="store_true")
    parser.add_argument("--out", default="/tmp/iso10002-shots")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sid = session_id(args.url, args.db, args.login, args.password, args.lang)
    chrome = Chrome(390 if args.phone else 1440, 844 if args.phone else 900, args.phone)
    try:
        host = re.sub(r"^https?://", "", args.url).split(":")[0]
        chrome.call("Network.enable")
        chrome.call("Network.setCookie", name="session_id", value=sid, domain=host, path="/")
        for path in args.paths:
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            target = out / f"{name}{'_phone' if args.phone else ''}{'_' + args.lang if args.lang else ''}.png"
            chrome.shot(f"{args.url}{path}", target)
            print(target)
    finally:
        chrome.close()


if __name__ == "__main__":
    main()
