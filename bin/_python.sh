# Sourced by bin/* scripts: find a Python ≥ 3.12 and keep ./.venv in sync with pyproject.toml.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3 \
      "$HOME"/.pyenv/versions/3.13*/bin/python "$HOME"/.pyenv/versions/3.12*/bin/python; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Нужен Python 3.12 или новее (Django 6); задайте путь к нему в переменной PYTHON." >&2
  return 1
}

ensure_venv() {
  local extras="$1" stamp
  stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-$extras"
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
  fi
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[$extras]"
    rm -f .venv/.installed-*
    touch "$stamp"
  fi
}
