/**
 * Relays: streams pulled from other servers and pushed to them. The configuration and the waits between attempts are
 * here; each protocol's pull lives with ingest (it publishes through admission) and its push with the edge (it plays
 * through the viewer fan-out).
 */
package io.cascade.relay;
