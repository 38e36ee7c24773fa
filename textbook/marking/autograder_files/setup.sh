#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image (with network): a virtual
# environment holding what the course's code needs, for the answers to run in.
set -euo pipefail
cd /autograder/source
apt-get update -q && apt-get install -y -q --no-install-recommends python3-venv util-linux
python3 -m venv /autograder/venv
if [ -f requirements.txt ]; then
    /autograder/venv/bin/pip install -q -r requirements.txt
fi
