"""The home server of ``[llm] endpoint``: doctor's check, and the systemd drop-in that lets
``samantha.service`` reach exactly that one address.

samantha.service has no network at all (``PrivateNetwork=yes``, AF_UNIX only). With an
endpoint configured, ``samantha run --unit-dropin`` prints the drop-in
(``samantha.service.d/homeserver.conf``) that gives her IP to that address and port only:
``IPAddressDeny=any`` stays, ``IPAddressAllow`` names the one address, nothing may be bound.
"""

from __future__ import annotations

import asyncio
import time

from samantha.appliance.checks import FAIL, OK, WARN, Check
from samantha.config import Config
from samantha.errors import ConfigError, LlmError
from samantha.inference.openai_llm import OpenAIModel, parse_endpoint, run_sync

NAME = "home server"


def unit_dropin(cfg: Config) -> str:
    """The drop-in for samantha.service; ConfigError where no endpoint is set."""
    if not cfg.llm.endpoint:
        raise ConfigError("llm-endpoint", "no [llm] endpoint is set: she needs no network",
                          'set [llm] endpoint = "http://ADDR:PORT/v1" first')
    ep = parse_endpoint(cfg.llm.endpoint)
    return "\n".join([
        "# written by `samantha run --unit-dropin` from [llm] endpoint: only the turn's text",
        f"# goes to {ep}; audio never leaves the box", "[Service]", "PrivateNetwork=no",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "IPAddressDeny=any",
        "IPAddressAllow=", f"IPAddressAllow={ep.host}", "SocketBindDeny=any", ""])


def check(cfg: Config, timeout_s: float = 10.0) -> Check | None:
    """Reachable, the model named there, and the first word in time; None without endpoint."""
    if not cfg.llm.endpoint:
        return None
    try:
        ep = parse_endpoint(cfg.llm.endpoint)
    except ConfigError as err:
        return Check(NAME, FAIL, err.message, err.fix)
    model = OpenAIModel(ep, cfg.llm.endpoint_model)

    async def probe() -> tuple[list[str], float]:
        names = await asyncio.wait_for(model.models(), timeout_s)
        start = time.perf_counter()
        pieces = model.astream([{"role": "user", "content": "Say OK."}], 2)
        try:
            await asyncio.wait_for(anext(pieces, ""), timeout_s)
        finally:
            await pieces.aclose()
        return names, time.perf_counter() - start

    try:
        names, first_s = run_sync(probe)
    except (LlmError, TimeoutError) as exc:
        why = str(exc) if isinstance(exc, LlmError) else f"no answer in {timeout_s:g} s"
        return Check(NAME, WARN, f"{ep} does not answer ({why}); her own model will",
                     "start the server, or check the address and port in [llm] endpoint")
    wanted = cfg.llm.endpoint_model
    if wanted and wanted not in names:
        return Check(NAME, FAIL, f"{ep} has no model {wanted!r} (it has: "
                     f"{', '.join(names) or 'none listed'})",
                     "set [llm] endpoint_model to one of those")
    detail = (f"{ep} answers: model {wanted or (names[0] if names else '?')}, first word in "
              f"{first_s:.2f} s")
    if first_s > cfg.llm.endpoint_timeout_s:
        return Check(NAME, WARN, detail + f", slower than endpoint_timeout_s "
                     f"{cfg.llm.endpoint_timeout_s:g} s: her own model would answer",
                     "raise [llm] endpoint_timeout_s, or use a smaller model there")
    return Check(NAME, OK, detail)
