package io.cascade.protocol.sdp;

import java.util.List;

/** An {@code a=} line: {@code a=name:value}, or {@code a=name} for a property attribute (value null). */
public record Attribute(String name, String value) {
    public Attribute {
        SessionDescription.checkText(name);
        if (value != null) {
            SessionDescription.checkText(value);
        }
    }

    /** The value of the first attribute called {@code name} (any case), "" for a property attribute, or null. */
    static String find(List<Attribute> attributes, String name) {
        for (Attribute a : attributes) {
            if (a.name().equalsIgnoreCase(name)) {
                return a.value() == null ? "" : a.value();
            }
        }
        return null;
    }

    String line() {
        return value == null ? "a=" + name : "a=" + name + ":" + value;
    }
}
