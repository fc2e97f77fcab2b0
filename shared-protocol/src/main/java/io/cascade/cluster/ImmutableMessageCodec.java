package io.cascade.cluster;

import io.vertx.core.eventbus.MessageCodec;

/**
 * Base of the codecs of immutable messages: local delivery hands every consumer the same object (no copy), only
 * the wire form is encoded.
 */
abstract class ImmutableMessageCodec<T> implements MessageCodec<T, T> {
    private final String name;

    ImmutableMessageCodec(String name) {
        this.name = name;
    }

    @Override
    public final T transform(T message) {
        return message;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final byte systemCodecID() {
        return -1; // a user codec
    }

    /** Strings go on the wire after an unsigned 16-bit length: a longer one must fail, not wrap around. */
    static void checkShortString(byte[] utf8) {
        if (utf8.length > 0xFFFF) {
            throw new IllegalArgumentException("a string of " + utf8.length + " bytes does not fit its 16-bit length");
        }
    }
}
