"""Site tooling behind the invoke tasks: build, check, publish, scaffold, serve, screenshots."""
