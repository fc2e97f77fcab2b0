/**
 * The socket side of RTSP, shared by the ingest and edge roles as RTMP's is: publishers (ANNOUNCE, RECORD) and
 * players (DESCRIBE, PLAY) use one port, so one {@link io.cascade.rtsp.RtspServer} accepts every client and hands a
 * publish to the ingest role's {@link io.cascade.rtsp.RtspPublishHandler} and a play to the edge role's
 * {@link io.cascade.rtsp.RtspPlayHandler}. The wire formats are pure code elsewhere ({@code io.cascade.protocol.rtsp},
 * {@code .sdp}, {@code .rtp}); this package moves bytes, keeps each connection's session state and enforces deadlines.
 */
package io.cascade.rtsp;
