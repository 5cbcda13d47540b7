"""The wire format of both API dialects, in one place outside ``analysis/`` and ``api/``.

``analysis/`` returns frozen dataclasses only. This package turns them into JSON and names
every response body as a pydantic model:

- :mod:`.videos`: the Video API (analysis, j2p, objects, video, listing) -- converters and models;
- :mod:`.running`: the Running Analysis API's calculated data (side and back view) -- converters;
  :mod:`.running_models`: that dialect's response models;
- :mod:`.gait`: gait events and the view check, used by both (sprints and running);
- :mod:`.tree`: :func:`to_json`, the registry the converters join (it walks dicts and lists,
  so an ``info`` dict may hold dataclasses).

Why a package of its own: the service stores results as JSON (the Video API's ``analysis``
column, the Running API's ``result``) and the CLI prints them with no server, while
``service/`` must not import ``api/``. So the converters and models live here, importable by
``service``, ``cli`` and ``api`` alike (it imports ``analysis`` and pydantic, nothing above);
``api/videos/schemas.py`` and ``api/running/schemas.py`` re-export the models they declare.

Routes declare the models as their 200 (202, 400) responses with ``responses={...: {"model": M}}``
and ``response_model=None``, not as a validating ``response_model``: the bodies are stored JSON
(a j2p has thousands of frames) and re-validating them on every poll would cost CPU for nothing
and could turn a drift into a 500. Instead the converters are checked against the models in
``tests/wire`` and every live response against the OpenAPI document by the schemathesis run in
``tests/api/test_schemathesis.py``.
"""

from __future__ import annotations

from repstride.wire.running import running_json
from repstride.wire.tree import to_json
from repstride.wire.videos import analysis_json, block_clearance_json

__all__ = ["analysis_json", "block_clearance_json", "running_json", "to_json"]
