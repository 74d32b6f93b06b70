#!/bin/sh
# Regenerate the build system (same as autoreconf -fi).
exec autoreconf -fi "$(dirname "$0")"
