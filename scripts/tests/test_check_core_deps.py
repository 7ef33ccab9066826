"""scripts/check-core-deps on package descriptions shaped like `swift package describe
--type json` (and Swift files they name): it passes the layout the verification core's
tests have, and fails on each way NIO, Wire or the service could reach them.

    python3 -m pytest -q scripts/tests      # part of scripts/test
"""
import copy
import json
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "check-core-deps")


def target(name, kind="library", targets=(), products=()):
    return {"name": name, "type": kind, "sources": [f"{name}.swift"],
            "target_dependencies": list(targets), "product_dependencies": list(products)}


# The package as it is meant to be, reduced to what the check reads.
GOOD = {"targets": [
    target("TokenVerificationTests", "test", ["TokenVerification", "TokenMinting", "TokenTestSupport"]),
    target("TokenTestSupport", targets=["TokenVerification", "TokenMinting"]),
    target("TokenMinting", targets=["COpenSSL", "TokenVerification"]),
    target("TokenVerification", targets=["COpenSSL"], products=["Logging", "DequeModule"]),
    dict(target("COpenSSL", "system-target"), sources=[]),
    target("Wire", targets=["CAuthRPCProto"], products=["NIOCore"]),
    dict(target("CAuthRPCProto"), sources=["authrpc.pb-c.c"]),
    target("AuthRPC", targets=["Wire", "TokenVerification"], products=["NIOCore", "NIOPosix"]),
    target("AuthRPCTests", "test", ["AuthRPC", "TokenTestSupport"], ["NIOCore", "NIOPosix"]),
]}


def run(tmp_path, description, root=None):
    path = tmp_path / "describe.json"
    path.write_text(json.dumps(description))
    extra = ["--root", str(root)] if root else []
    return subprocess.run([sys.executable, SCRIPT, "--describe", str(path)] + extra,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def changed(name, **fields):
    description = copy.deepcopy(GOOD)
    for t in description["targets"]:
        if t["name"] == name:
            for key, value in fields.items():
                if value is None:
                    del t[key]  # SwiftPM leaves an empty list out
                else:
                    t[key] = t[key] + value if isinstance(value, list) else value
    return description


def test_the_intended_layout_passes(tmp_path):
    result = run(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("description, named", [
    (changed("TokenVerificationTests", product_dependencies=["NIOCore"]), "product NIOCore (NIO)"),
    (changed("TokenVerificationTests", target_dependencies=["Wire"]), "target Wire"),
    (changed("TokenVerificationTests", target_dependencies=["AuthRPC"]), "target AuthRPC"),
    # Through the core itself, or through the shared fixtures: found all the same.
    (changed("TokenVerification", product_dependencies=["NIOPosix"]), "TokenVerificationTests -> TokenVerification"),
    (changed("TokenTestSupport", target_dependencies=["Wire"]), "TokenVerificationTests -> TokenTestSupport -> Wire"),
    (changed("TokenMinting", product_dependencies=["Metrics"]), "product Metrics"),
    (changed("TokenVerificationTests", type="library"), "is not a test target"),
    (changed("TokenVerificationTests", sources=None), "has no sources"),
    (changed("TokenVerificationTests", target_dependencies=None), "does not depend on TokenVerification"),
    ({"targets": [t for t in GOOD["targets"] if t["name"] != "TokenVerificationTests"]}, "no target TokenVerificationTests"),
])
def test_each_way_in_fails(tmp_path, description, named):
    result = run(tmp_path, description)
    assert result.returncode == 1, result.stdout
    assert named in result.stdout


# Imports the package's own files have, by target (each target's one file, at the root).
GOOD_IMPORTS = {
    "TokenVerificationTests": "import Foundation\n@testable import TokenVerification\nimport TokenTestSupport\nimport XCTest\n",
    "TokenTestSupport": "import Synchronization\nimport TokenMinting\nimport TokenVerification\n",
    "TokenMinting": "import COpenSSL\nimport TokenVerification\n",
    "TokenVerification": "public import Logging\nimport DequeModule\n#if canImport(Glibc)\nimport Glibc\n#endif\n",
}


def package(tmp_path, changes=None):
    root = tmp_path / "package"
    root.mkdir()
    for name, text in {**GOOD_IMPORTS, **(changes or {})}.items():
        (root / f"{name}.swift").write_text(text)
    return root


def test_the_intended_imports_pass(tmp_path):
    result = run(tmp_path, GOOD, package(tmp_path))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("changes, named", [
    # A test target is linked into the one test binary with every other: this would build.
    ({"TokenVerificationTests": GOOD_IMPORTS["TokenVerificationTests"] + "import NIOCore\n"},
     "import NIOCore (NIO) in TokenVerificationTests.swift"),
    ({"TokenTestSupport": "@testable import struct Wire.Claims\n"}, "import Wire in TokenTestSupport.swift"),
    ({"TokenVerification": "  public import NIOPosix\n"}, "import NIOPosix (NIO) in TokenVerification.swift"),
])
def test_each_import_from_outside_fails(tmp_path, changes, named):
    result = run(tmp_path, GOOD, package(tmp_path, changes))
    assert result.returncode == 1, result.stdout
    assert named in result.stdout
