"""`python -m app.interchange.mpxj_convert SOURCE TARGET`: read any plan file MPXJ knows and
write it as MSPDI. Run in a child process by `app.interchange.formats.convert_with_mpxj`.

Exit status 0 when TARGET was written, with the application that wrote the source (MPXJ's
`FileApplication`: "Microsoft", "Primavera", ...) as the one line on stdout; 2 with one line
on stderr when MPXJ found no plan.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    source, target = argv
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM("-Djava.awt.headless=true")
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.reader import UniversalProjectReader

    try:
        project = UniversalProjectReader().read(source)
    except Exception as exc:  # MPXJ raises its own MPXJException for unreadable files
        print(f"{type(exc).__name__}: {exc}".replace("\n", " "), file=sys.stderr)  # noqa: T201
        return 2
    if project is None:
        print("not a project file MPXJ recognises", file=sys.stderr)  # noqa: T201
        return 2
    MSPDIWriter().write(project, target)
    print(project.getProjectProperties().getFileApplication() or "")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
