/**
 * Files played on demand and pulled as live streams, whatever the protocol: {@link io.cascade.vod.VodLibrary} (the
 * folders, how files open, the node's bound on plays) and {@link io.cascade.vod.PacedFile} (a file sent against the
 * wall clock, read ahead within bounds on worker threads). The folders and their path rules stay in
 * {@code io.cascade.files}, which any module may use.
 */
package io.cascade.vod;
