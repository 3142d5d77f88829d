"""The only package that talks to QuickBooks Online: value types (`types`), the error taxonomy
(`errors`), OAuth through intuitlib (`oauth`), the Accounting API session (`session`) and the
per-company rate limiter every call of a session passes (`limiter`). Callers import from the
module that defines a name; nothing is re-exported here."""
