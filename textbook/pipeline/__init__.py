"""The build pipeline behind ``textbook build``: layout, freshness, Sphinx runs and print, publishing, failures."""
