"""Which reader a file needs: our MSPDI reader, or MPXJ (converted to MSPDI first).

Only the bytes decide, never the file name: an MSPDI document is XML whose root is
`Project` (in Project's namespace or none). Everything else — .mpp, .mpx, Primavera XER and
PMXML, Planner, GanttProject, … — goes through MPXJ's universal reader when the optional
extra is installed (`pip install trueppm[mpxj]`, with Java 11+ on PATH or in JAVA_HOME).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from app.interchange.errors import MalformedFile, UnsupportedFormat

MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"
MSPDI = "mspdi"
MPXJ = "mpxj"
INSTALL_HINT = "install the extra with `pip install trueppm[mpxj]` and Java 11 or newer"


def looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def is_mspdi_root(root: ET.Element) -> bool:
    return root.tag in ("Project", f"{{{MSPDI_NAMESPACE}}}Project")


def java_command() -> str | None:
    """The `java` MPXJ will run on: JAVA_HOME's, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def mpxj_missing() -> str | None:
    """Why MPXJ cannot run here (None when it can)."""
    if importlib.util.find_spec("mpxj") is None or importlib.util.find_spec("jpype") is None:
        return "the mpxj package is not installed"
    if java_command() is None:
        return "no Java runtime was found (JAVA_HOME or java on PATH)"
    return None


@dataclass(frozen=True)
class Converted:
    document: bytes  # the plan as MSPDI
    application: str  # what wrote the source file, as MPXJ names it ("Microsoft", "Primavera")


def convert_with_mpxj(data: bytes, *, timeout: float = 300.0) -> Converted:
    """The file re-written as MSPDI by MPXJ, in a child process (a JVM cannot be restarted
    in a process, and a crash there must not take the worker with it)."""
    missing = mpxj_missing()
    if missing is not None:
        raise UnsupportedFormat(
            f"this file is not Microsoft Project XML, and reading other formats needs MPXJ: "
            f"{missing}; {INSTALL_HINT}"
        )
    with tempfile.TemporaryDirectory(prefix="trueppm-mpxj-") as folder:
        source, target = Path(folder) / "upload", Path(folder) / "converted.xml"
        source.write_bytes(data)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "app.interchange.mpxj_convert", str(source), str(target)],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise MalformedFile(f"MPXJ did not finish reading the file in {timeout:g} s") from None
        if done.returncode != 0 or not target.exists():
            reason = done.stderr.decode(errors="replace").strip().splitlines()
            raise MalformedFile(
                "MPXJ could not read the file: " + (reason[-1] if reason else "no reason given")
            )
        lines = done.stdout.decode(errors="replace").strip().splitlines()
        return Converted(target.read_bytes(), lines[-1].strip() if lines else "")
