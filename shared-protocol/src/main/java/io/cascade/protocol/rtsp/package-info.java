/**
 * A pure (JDK-only) RTSP 1.0 message layer, written from RFC 2326 (with RFC 7826's clarifications where they agree):
 * what an RTSP server or client needs between its socket and its session logic.
 *
 * <p>{@link io.cascade.protocol.rtsp.RtspDecoder} reads one connection's bytes, cut anywhere, into
 * {@link io.cascade.protocol.rtsp.RtspRequest}s, {@link io.cascade.protocol.rtsp.RtspResponse}s and interleaved frames,
 * with every limit a named constant checked before memory is committed; {@link io.cascade.protocol.rtsp.RtspMessageWriter}
 * writes responses, requests and frame headers and refuses header values that would inject a line;
 * {@link io.cascade.protocol.rtsp.TransportSpec} reads and writes the Transport header, and
 * {@link io.cascade.protocol.rtsp.RtspUrl} splits a Request-URI into names safe to use. Bad input raises
 * {@link io.cascade.protocol.rtsp.RtspException}, which carries the status to answer.
 */
package io.cascade.protocol.rtsp;
