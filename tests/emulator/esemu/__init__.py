"""Elasticsearch emulator for esreconcile tests (Python 3 standard library only).

Starts one or more emulated single-node clusters in one process, each with an
HTTPS REST listener and a TLS transport listener on free loopback ports, and
writes DIR/clusters.json once all are ready. Run it as tests/emulator/esemu.py;
tests/emulator/README.md lists every option, the control API and the fidelity
notes.

The behaviour follows docs/elasticsearch.md (the Elasticsearch facts, each with
the source class it comes from); where that file is silent the Elasticsearch
source is cited in comments.

Modules, in dependency order:
  common        versions, ES-shaped errors, request-body parsing
  settings      cluster settings: registry, validation, updates, GET|PUT /_cluster/settings
  security      privileges, roles, reserved users, password hashes
  security_api  _authenticate, roles (single and bulk), users, API keys
  cluster       one emulated cluster: state, authentication, authorization
  transport     PKI, transport listener, handshakes, _remote/info, _nodes, _ssl/certificates
  control       the /_emulator/ control API and fault injection
  server        the HTTP/1.1 server
  routes        GET / and the route table
  emulator      dispatch and the request trace (ESEMU_REQUEST_TRACE)
  cli           options, PKI and listeners at startup, clusters.json (main)
"""
