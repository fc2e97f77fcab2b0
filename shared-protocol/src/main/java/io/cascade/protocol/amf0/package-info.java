/**
 * A pure (JDK-only) codec for AMF0, the Action Message Format used by RTMP commands
 * and metadata, written from Adobe's "Action Message Format -- AMF 0" specification.
 *
 * <p>Decoding ({@link io.cascade.protocol.amf0.Amf0Reader}) is hardened against hostile
 * input: every length is checked against a named maximum and against the remaining
 * input before anything is allocated, nesting is bounded, and every malformed input
 * results in a checked {@link io.cascade.protocol.amf0.Amf0Exception}. Class names
 * carried by typed objects are read and discarded; nothing named on the wire is ever
 * loaded. Encoding ({@link io.cascade.protocol.amf0.Amf0Writer}) never emits references
 * or typed objects.
 */
package io.cascade.protocol.amf0;
