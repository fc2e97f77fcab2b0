package io.cascade.settings;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting of a node, declared once by the component that uses its value: its key, its default, what values
 * it accepts, and what it means. The node checks every setting before anything starts, so a bad value stops it
 * with a message naming the key instead of failing later, somewhere else, without it.
 *
 * <p>Declarations are constants ({@code public static final Setting<Long> LINGER_MS = Setting.longInteger(...)});
 * the node's list of them drives parsing, validation, the environment names and the documentation.
 *
 * @param <T> the type the value is used as
 */
public final class Setting<T> {
    /** The whole TCP port range; 0 is kept for "no listener". */
    public static final int MAX_PORT = 65_535;

    private final String key;
    private final String defaultText;
    private final String accepted;
    private final Function<String, T> parser;
    private final String meaning;
    private final List<String> aliases;
    private final boolean secret;
    private final T defaultValue;

    private Setting(String key, String defaultText, String accepted, Function<String, T> parser, String meaning,
                    List<String> aliases, boolean secret) {
        this.key = Objects.requireNonNull(key);
        this.defaultText = Objects.requireNonNull(defaultText);
        this.accepted = Objects.requireNonNull(accepted);
        this.parser = Objects.requireNonNull(parser);
        this.meaning = Objects.requireNonNull(meaning);
        this.aliases = List.copyOf(aliases);
        this.secret = secret;
        try {
            this.defaultValue = parser.apply(defaultText);
        } catch (IllegalArgumentException e) {
            // a default outside its own bounds is a mistake in the declaration, not in the operator's settings
            throw new IllegalStateException("default of " + key + " must be " + accepted + ", not '" + defaultText + "'", e);
        }
    }

    /**
     * A setting of any type.
     *
     * @param accepted what the parser accepts, in words that complete "must be ..." (also shown in the README)
     * @param parser   the value from its text; throws {@link IllegalArgumentException} for anything it does not accept
     */
    public static <T> Setting<T> of(String key, String defaultText, String accepted, Function<String, T> parser,
                                    String meaning) {
        return new Setting<>(key, defaultText, accepted, parser, meaning, List.of(), false);
    }

    /** A listener port: 0 disables the listener. */
    public static Setting<Integer> port(String key, int defaultPort, String meaning) {
        return integer(key, defaultPort, 0, MAX_PORT, meaning);
    }

    public static Setting<Integer> integer(String key, int defaultValue, int min, int max, String meaning) {
        String accepted = "a whole number " + min + ".." + max;
        return of(key, String.valueOf(defaultValue), accepted, text -> {
            long v = parseLong(text, accepted);
            if (v < min || v > max) {
                throw new IllegalArgumentException(accepted);
            }
            return (int) v;
        }, meaning);
    }

    public static Setting<Long> longInteger(String key, long defaultValue, long min, long max, String meaning) {
        String accepted = "a whole number " + min + ".." + max;
        return of(key, String.valueOf(defaultValue), accepted, text -> {
            long v = parseLong(text, accepted);
            if (v < min || v > max) {
                throw new IllegalArgumentException(accepted);
            }
            return v;
        }, meaning);
    }

    /** true or false, nothing else: a typo must not silently mean false. */
    public static Setting<Boolean> flag(String key, boolean defaultValue, String meaning) {
        return of(key, String.valueOf(defaultValue), "true or false", text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("true or false");
        }, meaning);
    }

    /** Free text; empty is allowed and usually means "not set". */
    public static Setting<String> text(String key, String defaultValue, String meaning) {
        return of(key, defaultValue, "any text", text -> text, meaning);
    }

    /** One of a few words, compared without regard to case. */
    public static Setting<String> oneOf(String key, String defaultValue, List<String> choices, String meaning) {
        String accepted = "one of " + String.join(", ", choices);
        return of(key, defaultValue, accepted, text -> {
            for (String choice : choices) {
                if (choice.equalsIgnoreCase(text)) {
                    return choice;
                }
            }
            throw new IllegalArgumentException(accepted);
        }, meaning);
    }

    /**
     * The same setting, also accepted under older keys (deprecated spellings kept so existing files, environments
     * and scripts keep working).
     */
    public Setting<T> withAliases(String... oldKeys) {
        return new Setting<>(key, defaultText, accepted, parser, meaning, List.of(oldKeys), secret);
    }

    /**
     * The same setting, holding a secret: a value it refuses is not repeated in the message (which goes to stderr and
     * logs), only where it came from.
     */
    public Setting<T> secret() {
        return new Setting<>(key, defaultText, accepted, parser, meaning, aliases, true);
    }

    /** Whether the value is a secret, never to be shown. */
    public boolean isSecret() {
        return secret;
    }

    /**
     * The value of a text, or an exception whose message names the key, the text and where it came from.
     *
     * @param source where the text came from, for the message ("flag --x", "environment CASCADE_X", a file)
     */
    public T parse(String text, String source) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage() == null || e.getMessage().equals(accepted) ? "" : ": " + e.getMessage();
            String given = secret ? "the value given" : "'" + text + "'";
            throw new IllegalArgumentException(key + " must be " + accepted + ", not " + given + " (from " + source + ")"
                    + why);
        }
    }

    private static long parseLong(String text, String accepted) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(accepted);
        }
    }

    public String key() {
        return key;
    }

    public String defaultText() {
        return defaultText;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** What the setting accepts, completing "must be ...". */
    public String accepted() {
        return accepted;
    }

    public String meaning() {
        return meaning;
    }

    /** Older keys accepted for this one, deprecated. */
    public List<String> aliases() {
        return aliases;
    }

    @Override
    public String toString() {
        return key;
    }
}
