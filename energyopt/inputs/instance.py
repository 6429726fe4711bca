"""The whole instance: the fields every instance has (``schema.InstanceBase``) plus one section per component of
the registry, each with the component's own name and pydantic model. The loader validates section by section
with :data:`SECTION_MODELS`, so every problem of a file is reported at once."""
from __future__ import annotations

from pydantic import create_model

from ..registry import sections
from .schema import BASE_SECTIONS, F, InstanceBase, Section


def _field(c):
    if c.many:
        return list[c.section], F(default_factory=list, desc=c.description)
    if c.required:
        return c.section, F(desc=c.description)
    return c.section | None, F(None, desc=c.description)


Instance = create_model("Instance", __base__=InstanceBase, __module__=__name__,
                        **{c.name: _field(c) for c in sections()})
Instance.__doc__ = "A whole instance: horizon, site, notices and every component's section (see the registry)."

#: Every section of the instance file, in the order the documentation lists them (and validation reports them).
SECTION_MODELS: dict[str, type[Section]] = {
    "horizon": BASE_SECTIONS["horizon"], "site": BASE_SECTIONS["site"],
    **{c.name: c.section for c in sections() if c.required}, "notices": BASE_SECTIONS["notices"],
    **{c.name: c.section for c in sections() if not c.required}}
LIST_SECTIONS = {"notices"} | {c.name for c in sections() if c.many}
REQUIRED_SECTIONS = {"horizon", "site"} | {c.name for c in sections() if c.required}
