"""requirements.txt (the human list, a reason beside each pin) and requirements.lock (every package,
hashed, what `make install` installs) cannot drift: the lock's top-level pins are requirements.txt's.

After changing requirements.txt, `make lock` writes the lock again.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


def normalized(name: str) -> str:
    """PEP 503: `PyYAML`, `pyyaml` and `py_yaml` name one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[normalized(match["name"])] = match["version"]
    return pins


def lock_entries() -> dict[str, tuple[str, str]]:
    """name -> (version, the entry's text: hashes and its `# via` comment)."""
    entries: dict[str, tuple[str, str]] = {}
    name = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            name = normalized(match["name"])
            entries[name] = (match["version"], line)
        elif name is not None and line.startswith(" "):
            version, text = entries[name]
            entries[name] = (version, text + "\n" + line)
    return entries


def test_every_line_of_requirements_txt_is_an_exact_pin():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]

    assert [line for line in lines if line and not PIN.match(line)] == []


def test_the_locks_top_level_pins_are_requirements_txt():
    top_level = {
        name: version
        for name, (version, text) in lock_entries().items()
        if re.search(r"-r requirements\.txt$", text, re.M)
    }

    assert top_level == requirements_pins()


def test_every_locked_package_carries_a_hash():
    entries = lock_entries()

    assert [name for name, (_, text) in entries.items() if "--hash=sha256:" not in text] == []
