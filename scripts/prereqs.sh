#!/bin/sh
# What a make target needs from the machine, checked before anything is installed or built.
# Each missing piece is named with the command that installs it; the exit status is 1 when
# something is missing.
#
#   sh scripts/prereqs.sh python PYTHON   # every target: Python 3.11+ with venv and ensurepip
#   sh scripts/prereqs.sh npm             # site, book, test: npm, unless MathJax is cached
missing=0

say() {
  printf 'missing: %s\n' "$1" >&2
  printf '  Debian/Ubuntu: %s\n  macOS:         %s\n  conda:         %s\n' "$2" "$3" "$4" >&2
  missing=1
}

case "$1" in
python)
  py=${2:-python3}
  if ! command -v "$py" >/dev/null 2>&1; then
    say "Python 3.11 or newer ($py is not on PATH; set PYTHON=... to use another)" \
      "sudo apt-get install python3 python3-venv" "brew install python@3.12" \
      "conda create -n ganlab python=3.12 && conda activate ganlab"
  elif ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Python 3.11 or newer ($py is $("$py" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null); Ubuntu 22.04's python3 is 3.10; set PYTHON=python3.11 or newer)" \
      "sudo apt-get install python3.11 python3.11-venv (Ubuntu 22.04: from the deadsnakes PPA)" \
      "brew install python@3.12" "conda create -n ganlab python=3.12 && conda activate ganlab"
  elif ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
    say "Python's venv module with ensurepip ($py cannot create a virtual environment)" \
      "sudo apt-get install python3-venv (or python3.X-venv for your version)" \
      "brew reinstall python@3.12" "conda install python (conda's Python has venv)"
  fi
  ;;
npm)
  cache=${GANLAB_NPM_CACHE:-build/npm}
  if ! ls "$cache"/mathjax-3.*.tgz >/dev/null 2>&1 && ! command -v npm >/dev/null 2>&1; then
    say "npm (Node.js), needed once to fetch MathJax for the site into $cache" \
      "sudo apt-get install npm" "brew install node" "conda install -c conda-forge nodejs"
  fi
  ;;
*)
  echo "usage: sh scripts/prereqs.sh python [PYTHON] | npm" >&2
  exit 2
  ;;
esac
exit $missing
