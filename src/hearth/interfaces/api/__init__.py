"""The REST API at /api/v1/, shaped like the Octopus Energy API so existing consumption clients work with it."""
