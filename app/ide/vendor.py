"""`python -m app.ide.vendor`: fetch GraphiQL's browser files from the npm registry again.

Each tarball must match the registry integrity pinned in `app/ide/assets.py` and each extracted
file its pinned SRI hash, or nothing is written. `--check` only verifies the files on disk
(no network); `--print-sri` shows the hashes of freshly fetched files, for a version bump.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import sys
import tarfile
import urllib.request

from app.ide.assets import LICENSES, PACKAGES, VENDOR, Package, sri


class VendorError(Exception):
    pass


def _tarball(package: Package) -> tarfile.TarFile:
    with urllib.request.urlopen(package.tarball, timeout=60) as response:
        data = response.read()
    algorithm, _, expected = package.integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise VendorError(f"{package.name}@{package.version}: tarball integrity mismatch")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def _member(archive: tarfile.TarFile, path: str) -> bytes:
    extracted = archive.extractfile(path)
    if extracted is None:
        raise VendorError(f"{path} is not a file in the tarball")
    return extracted.read()


def fetch(print_sri: bool = False) -> dict[str, bytes]:
    """Every vendored file and licence text, by path relative to static/vendor/."""
    out: dict[str, bytes] = {}
    for package in PACKAGES:
        with _tarball(package) as archive:
            for file in package.files:
                data = _member(archive, file.source)
                if print_sri:
                    print(f"{file.name}: {sri(data)}")  # noqa: T201
                elif sri(data) != file.sri:
                    raise VendorError(f"{file.name}: SRI differs from the pinned {file.sri}")
                out[file.name] = data
            if package.licence_file is not None:
                out[f"LICENSES/{package.licence_name}"] = _member(archive, package.licence_file)
    return out


def check() -> list[str]:
    """What is wrong with the files on disk (empty when they are exactly the pinned ones)."""
    problems = []
    for package in PACKAGES:
        for file in package.files:
            path = VENDOR / file.name
            if not path.is_file():
                problems.append(f"{file.name} is missing")
            elif sri(path.read_bytes()) != file.sri:
                problems.append(f"{file.name} differs from {package.name}@{package.version}")
        if package.licence_file is not None and not (LICENSES / package.licence_name).is_file():
            problems.append(f"the licence of {package.name} is missing")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.ide.vendor", description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify the files on disk only")
    parser.add_argument("--print-sri", action="store_true", help="print fetched files' hashes")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)  # noqa: T201
        return 1 if problems else 0
    try:
        files = fetch(print_sri=args.print_sri)
    except VendorError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 1
    if args.print_sri:
        return 0
    LICENSES.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (VENDOR / name).write_bytes(data)
    print(f"wrote {len(files)} files to {VENDOR}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
