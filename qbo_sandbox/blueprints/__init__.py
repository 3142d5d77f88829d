"""The emulator's blueprints, one per face: oauth (Intuit's OAuth 2.0), api (the Accounting API
under /v3), control (/_sandbox/, for tests and benchmarks) and pages (the web pages). Each
module's `blueprint(parts)` builds its blueprint over the app's shared parts."""
