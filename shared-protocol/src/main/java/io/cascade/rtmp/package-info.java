/**
 * The socket side of RTMP, shared by the ingest and edge roles: publishers and players use one port and a client
 * says which it is only after {@code connect}, so one {@link io.cascade.rtmp.RtmpServer} accepts every client and
 * hands a publish to the ingest role's {@link io.cascade.rtmp.RtmpPublishHandler} and a play to the edge role's
 * {@link io.cascade.rtmp.RtmpPlayHandler}. The protocol itself is the pure
 * {@link io.cascade.protocol.rtmp.session.RtmpSession}; this package only moves bytes and enforces deadlines.
 */
package io.cascade.rtmp;
