/**
 * What every socket adapter needs between Vert.x's buffers and the pure codecs, whatever its protocol.
 */
package io.cascade.net;
