"""The browser code GraphiQL needs, pinned: which npm package and version each file comes from,
the tarball's integrity as the npm registry publishes it, and the file's own SRI hash.

The files are vendored under `app/ide/static/vendor/` with their licences (`LICENSES/`), so the
page works on a machine with no route to the internet; `python -m app.ide.vendor` fetches them
again from the registry and refuses anything whose hash differs from what is pinned here.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
VENDOR = STATIC / "vendor"
LICENSES = VENDOR / "LICENSES"


@dataclass(frozen=True)
class VendoredFile:
    source: str  # path inside the npm tarball
    name: str  # file name under static/vendor/
    sri: str  # Subresource Integrity value of the file (sha384)


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's `dist.integrity` of the tarball (sha512)
    licence: str  # SPDX id, from the package's package.json
    licence_file: str | None  # path of the licence text inside the tarball, if it ships one
    files: tuple[VendoredFile, ...]

    @property
    def tarball(self) -> str:
        base = self.name.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.name}/-/{base}-{self.version}.tgz"

    @property
    def licence_name(self) -> str:
        return self.name.replace("/", "__").lstrip("@") + ".LICENSE"


PACKAGES: tuple[Package, ...] = (
    Package(
        "react",
        "18.2.0",
        "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
        "MIT",
        "package/LICENSE",
        (
            VendoredFile(
                "package/umd/react.production.min.js",
                "react.production.min.js",
                "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
            ),
        ),
    ),
    Package(
        "react-dom",
        "18.2.0",
        "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
        "MIT",
        "package/LICENSE",
        (
            VendoredFile(
                "package/umd/react-dom.production.min.js",
                "react-dom.production.min.js",
                "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
            ),
        ),
    ),
    Package(
        "graphiql",
        "3.8.3",
        "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
        "MIT",
        "package/LICENSE",
        (
            VendoredFile(
                "package/graphiql.min.js",
                "graphiql.min.js",
                "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
            ),
            VendoredFile(
                "package/graphiql.min.css",
                "graphiql.min.css",
                "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
            ),
        ),
    ),
    Package(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "sha512-9j+kg2UjtLZD5EBmGjeWHkoVVxtbShYg2DzbUVebibnZYZM/iMBEF4vaccXJIAm5KaomIPLx0aoNs4LbODyc3Q==",
        "MIT",
        None,  # the tarball has no licence file; graphiql's (same monorepo, same holders) applies
        (
            VendoredFile(
                "package/dist/index.umd.js",
                "plugin-explorer.umd.js",
                "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
            ),
            VendoredFile(
                "package/dist/style.css",
                "plugin-explorer.css",
                "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
            ),
        ),
    ),
    # Bundled inside the explorer plugin's UMD file: vendored for its licence text only.
    Package(
        "graphiql-explorer",
        "0.9.0",
        "sha512-fZC/wsuatqiQDO2otchxriFO0LaWIo/ovF/CQJ1yOudmY0P7pzDiP+l9CEHUiWbizk3e99x6DQG4XG1VxA+d6A==",
        "MIT",
        "package/LICENSE",
        (),
    ),
)


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def vendored(name: str) -> VendoredFile:
    for package in PACKAGES:
        for file in package.files:
            if file.name == name:
                return file
    raise KeyError(name)
