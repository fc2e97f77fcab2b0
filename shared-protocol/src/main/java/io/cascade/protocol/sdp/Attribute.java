package io.cascade.protocol.sdp;

/** An {@code a=} line: {@code a=name:value}, or {@code a=name} for a property attribute (value null). */
public record Attribute(String name, String value) {
    public Attribute {
        SessionDescription.checkText(name);
        if (value != null) {
            SessionDescription.checkText(value);
        }
    }

    String line() {
        return value == null ? "a=" + name : "a=" + name + ":" + value;
    }
}
