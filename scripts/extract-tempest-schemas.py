#!/usr/bin/env python3
"""Extracts Tempest's response schemas (the OpenStack QA suite's own checks of
what Nova answers) for the calls Eve makes, at the compute microversion Eve
pins (2.52), into test/fixtures/openstack/tempest-response-schemas.json. The
OpenStack stand-in checks its answers against them.

Which module applies at 2.52 is what Tempest's clients say in their
schema_versions_info (tempest/lib/services/compute/*_client.py): servers
v2_51 (2.51-2.53), keypairs v2_2 (2.2 and later), flavors v2_1 (up to 2.54);
the calls a versioned module does not define use v2_1's, as the clients do.

Usage (Debian; nothing is installed):
  cd "$(mktemp -d)" && apt-get download python3-tempest && dpkg-deb -x python3-tempest_*.deb x
  python3 scripts/extract-tempest-schemas.py x/usr/lib/python3/dist-packages <tempest version>
"""
import importlib
import json
import os
import sys

sys.path.insert(0, sys.argv[1])
tempest_version = sys.argv[2]
base = "tempest.lib.api_schema.response.compute."
AT_2_52 = {"servers": "v2_51", "keypairs": "v2_2", "flavors": "v2_1"}
OPERATIONS = {
    "servers": ["create_server", "get_server", "list_servers_detail", "delete_server", "get_console_output"],
    "keypairs": ["create_keypair", "delete_keypair"],
    "flavors": ["list_flavors_details"],
}

out = {"tempest_version": tempest_version, "microversion": "2.52", "operations": {}}
for module, names in OPERATIONS.items():
    versioned = importlib.import_module(base + AT_2_52[module] + "." + module)
    fallback = importlib.import_module(base + "v2_1." + module)
    for name in names:
        schema = getattr(versioned, name, None) or getattr(fallback, name)
        out["operations"][name] = schema

target = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "openstack", "tempest-response-schemas.json")
with open(target, "w") as f:
    json.dump(out, f, sort_keys=True)
    f.write("\n")
print("wrote %s: %s" % (os.path.normpath(target), ", ".join(sorted(out["operations"]))))
