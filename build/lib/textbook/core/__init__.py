"""The Sphinx-free core: the project's configuration and layout, the system tools, problems as
``file:line: message``, source encoding and the table of patched internals. Every other package
builds on it; it imports none of them."""
