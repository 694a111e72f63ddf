#!/usr/bin/env python3
"""Extracts Nova's own request JSON schemas for the calls Eve makes, with the
microversion ranges Nova's controllers apply them to, into
test/fixtures/openstack/nova-request-schemas.json. The OpenStack stand-in
validates every request against them.

The schemas are Python dicts in nova/api/openstack/compute/schemas/*.py built
with nova/api/validation/parameter_types.py; the ranges are the arguments of
the @validation.schema / @validation.query_schema decorators (or of the
method's @wsgi.Controller.api_version) in nova/api/openstack/compute/*.py.
Nova itself is not imported (it needs half of OpenStack): the few names the
schema modules import from Nova are given from Nova's own source.

Usage (Debian; nothing is installed):
  cd "$(mktemp -d)" && apt-get download python3-nova && dpkg-deb -x python3-nova_*.deb x
  python3 scripts/extract-nova-schemas.py x/usr/lib/python3/dist-packages <nova version>
"""
import importlib.util
import json
import os
import re
import sys
import types

# (controller module, method name) -> operation name in the JSON.
OPERATIONS = {
    ("servers", "create"): "servers.create",
    ("servers", "index"): "servers.index",
    ("servers", "detail"): "servers.detail",
    ("keypairs", "create"): "keypairs.create",
    ("keypairs", "delete"): "keypairs.delete",
    ("console_output", "get_console_output"): "servers.action.os-getConsoleOutput",
    ("flavors", "detail"): "flavors.detail",
}

root = sys.argv[1]
nova_version = sys.argv[2]
compute = os.path.join(root, "nova", "api", "openstack", "compute")


def source_constant(relative, name):
    with open(os.path.join(root, relative)) as f:
        return int(re.search(r"^%s\s*=\s*(\d+)" % name, f.read(), re.M).group(1))


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


for package in ["nova", "nova.api", "nova.api.validation", "nova.objects"]:
    stub(package, __path__=[])
stub("nova.i18n", _=lambda text: text)
stub("nova.objects.tag", MAX_TAG_LENGTH=source_constant("nova/objects/tag.py", "MAX_TAG_LENGTH"))
stub("nova.objects.instance", MAX_TAG_COUNT=source_constant("nova/objects/instance.py", "MAX_TAG_COUNT"))
sys.modules["nova.objects"].tag = sys.modules["nova.objects.tag"]
sys.modules["nova.objects"].instance = sys.modules["nova.objects.instance"]


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sys.modules["nova.api.validation"].parameter_types = load(
    "nova.api.validation.parameter_types", os.path.join(root, "nova", "api", "validation", "parameter_types.py"))

DECORATOR = re.compile(r"@validation\.(schema|query_schema)\(\s*([\w.]+)\s*(?:,\s*['\"]([\d.]+)['\"])?\s*(?:,\s*['\"]([\d.]+)['\"])?\s*\)")
API_VERSION = re.compile(r"@wsgi\.Controller\.api_version\(\s*['\"]([\d.]+)['\"]\s*(?:,\s*['\"]([\d.]+)['\"])?")
IMPORT = re.compile(r"^from nova\.api\.openstack\.compute\.schemas import (\w+)(?: as (\w+))?", re.M)


def ranges_of(controller):
    """[(method, kind, schema module, schema name, min, max)] from a controller's decorators."""
    with open(os.path.join(compute, controller + ".py")) as f:
        text = f.read()
    aliases = {(alias or module): module for module, alias in IMPORT.findall(text)}
    found = []
    pending, method_range = [], (None, None)
    for line in text.splitlines():
        line = line.strip()
        match = DECORATOR.search(line)
        if match:
            kind, dotted, low, high = match.groups()
            alias, name = dotted.split(".")
            pending.append((kind, aliases[alias], name, low, high))
            continue
        match = API_VERSION.search(line)
        if match:
            method_range = match.groups()
            continue
        match = re.match(r"def (\w+)\(", line)
        if match:
            for kind, module, name, low, high in pending:
                if low is None:
                    low, high = method_range
                found.append((match.group(1), kind, module, name, low or "2.1", high))
            pending, method_range = [], (None, None)
    return found


modules = {}
out = {"nova_version": nova_version, "source": "Debian python3-nova %s: nova/api/openstack/compute" % nova_version, "operations": {}}
for (controller, method), operation in OPERATIONS.items():
    for found_method, kind, module, name, low, high in ranges_of(controller):
        if found_method != method:
            continue
        if module not in modules:
            modules[module] = load("schemas_" + module, os.path.join(compute, "schemas", module + ".py"))
        schema = getattr(modules[module], name)
        entry = {"kind": "query" if kind == "query_schema" else "body", "min": low, "max": high, "name": "%s.%s" % (module, name), "schema": schema}
        out["operations"].setdefault(operation, []).append(entry)

missing = sorted(set(OPERATIONS.values()) - set(out["operations"]))
if missing:
    sys.exit("no schema found for: " + ", ".join(missing))
target = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "openstack", "nova-request-schemas.json")
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target, "w") as f:
    json.dump(out, f, sort_keys=True)
    f.write("\n")
print("wrote %s: %s" % (os.path.normpath(target), ", ".join("%s (%d)" % (k, len(v)) for k, v in sorted(out["operations"].items()))))
