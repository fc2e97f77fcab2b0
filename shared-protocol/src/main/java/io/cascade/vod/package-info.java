/**
 * Files played on demand and pulled as live streams, whatever the protocol: {@link io.cascade.vod.VodLibrary} (the
 * node's one VOD service: the folders, how files open, the bound on plays, the file-reading threads) and
 * {@link io.cascade.vod.PacedFile} (a file sent against the wall clock, read ahead within bounds on those threads:
 * RTMP and RTSP plays and file pulls). The folders and their path rules stay in {@code io.cascade.files}, which any
 * module may use; the edge keeps its open files with their index and packaged segments on top of the library.
 */
package io.cascade.vod;
