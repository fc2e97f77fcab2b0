package io.cascade.relay;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Addresses in relay URIs that must be written as numbers: checking an API call must never wait for DNS, and a
 * multicast group or a local address to bind has no name worth looking up.
 */
public final class LiteralAddress {
    private LiteralAddress() {
    }

    /** A literal IPv4 or IPv6 address, read without a lookup. */
    public static boolean is(String text) {
        if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (!text.contains(":") || !text.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(text) instanceof Inet6Address; // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A literal address of a multicast group. */
    public static boolean isMulticast(String text) {
        try {
            return is(text) && InetAddress.getByName(text).isMulticastAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
