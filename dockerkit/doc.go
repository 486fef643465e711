// Package dockerkit owns covkit's Docker support: building an image with a
// thin layer that makes coverage.py and covkit's (inert unless activated)
// Python hook available to the image's interpreters, recording in image
// labels how container paths map to build-context paths; turning the hook
// on in containers a test run starts, through a Docker Engine API proxy that
// rewrites container-create requests (so `docker run`, docker-compose,
// docker-py and testcontainers are all reached the same way); and mapping
// the data those containers write back to host paths.
package dockerkit
