"""Pick up code edits without a restart: like `sam local`, the next invocation runs the new code.

Every 2 s the watcher compares the files (count and newest mtime) of each function's code folder
and layer folders; when one changed, the functions that use it retire their warm workers (busy
ones when their invocation ends), so the next invocation is a cold start with the new code.
template.yaml is watched too, but a changed template needs a restart (it says so).
Costs about 2 ms of CPU per check for this repository. MICROWISH_LOCAL_RELOAD=0 turns it off.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path


def folder_signature(folder: str) -> tuple[int, int]:
    """(number of files, newest mtime in ns) under `folder`, skipping caches and dot-folders."""
    count, newest = 0, 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        for name in files:
            if name.endswith((".pyc", ".pyo")):
                continue
            try:
                mtime = os.stat(os.path.join(root, name)).st_mtime_ns
            except OSError:
                continue
            count += 1
            newest = max(newest, mtime)
    return count, newest


class CodeWatcher(threading.Thread):
    def __init__(
        self,
        folders_by_function: dict[str, list[str]],
        template: Path,
        retire: Callable[[str], int],
        log: Callable[[str, str], None],
        stop: threading.Event,
        interval: float = 2.0,
    ) -> None:
        super().__init__(name="reload", daemon=True)
        self.folders_by_function = folders_by_function
        self.template = template
        self.retire = retire
        self.log = log
        self.stop_event = stop
        self.interval = interval
        folders = {folder for folders in folders_by_function.values() for folder in folders}
        self.signatures = {folder: folder_signature(folder) for folder in folders}
        self.template_mtime = self._template_mtime()

    def _template_mtime(self) -> int:
        try:
            return os.stat(self.template).st_mtime_ns
        except OSError:
            return 0

    def check(self) -> list[str]:
        """One pass; returns the functions whose workers were retired."""
        changed = []
        for folder, before in self.signatures.items():
            now = folder_signature(folder)
            if now != before:
                self.signatures[folder] = now
                changed.append(folder)
        retired = []
        if changed:
            for function, folders in self.folders_by_function.items():
                if any(folder in changed for folder in folders):
                    self.retire(function)
                    retired.append(function)
            names = ", ".join(os.path.relpath(f) for f in changed)
            self.log("reload", f"{names} changed: {len(retired)} function(s) start fresh on their next invocation")
        template_mtime = self._template_mtime()
        if template_mtime != self.template_mtime:
            self.template_mtime = template_mtime
            self.log("reload", f"{self.template.name} changed: restart the runtime to apply it")
        return retired

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            try:
                self.check()
            except Exception as error:  # never let a reload problem stop the runtime
                self.log("reload", f"{type(error).__name__}: {error}")
