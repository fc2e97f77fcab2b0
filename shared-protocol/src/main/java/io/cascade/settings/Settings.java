package io.cascade.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checked values of a list of settings. Built from texts given layer by layer (a file, the environment, the
 * command line), each layer overriding the ones before; {@link Builder#build} parses and bounds-checks every value
 * and reports every bad one at once, each message naming its key and where the value came from.
 *
 * <p>An alias is another spelling of its key: a later layer overrides an earlier one whichever spelling either
 * uses; one layer giving both spellings is an error, since nothing says which one was meant.
 */
public final class Settings {
    private final Map<String, Setting<?>> byKey;
    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, String> texts;
    private final List<String> deprecatedUses;

    private Settings(Map<String, Setting<?>> byKey, Map<Setting<?>, Object> values, Map<Setting<?>, String> texts,
                     List<String> deprecatedUses) {
        this.byKey = byKey;
        this.values = values;
        this.texts = texts;
        this.deprecatedUses = deprecatedUses;
    }

    public static Builder builder(List<Setting<?>> declared) {
        return new Builder(declared);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (!values.containsKey(setting)) {
            throw new IllegalArgumentException("setting " + setting.key() + " is not one of this node's settings");
        }
        return (T) values.get(setting);
    }

    /** The declaration of a key or of one of its aliases; null for an unknown key. */
    public Setting<?> setting(String keyOrAlias) {
        return byKey.get(keyOrAlias);
    }

    /** The value's text as given (trimmed), for a key or an alias. */
    public String text(String keyOrAlias) {
        Setting<?> s = byKey.get(keyOrAlias);
        if (s == null) {
            throw new IllegalArgumentException("unknown setting " + keyOrAlias);
        }
        return texts.get(s);
    }

    /** "old.key from SOURCE: use new.key", once per alias given, for a warning at startup. */
    public List<String> deprecatedUses() {
        return deprecatedUses;
    }

    /** Collects texts layer by layer; not thread-safe. */
    public static final class Builder {
        private final Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        private final List<Setting<?>> declared;
        private final Map<Setting<?>, Given> given = new HashMap<>();
        private final List<String> deprecatedUses = new ArrayList<>();

        private Builder(List<Setting<?>> declared) {
            this.declared = List.copyOf(declared);
            for (Setting<?> s : declared) {
                index(s.key(), s);
                s.aliases().forEach(alias -> index(alias, s));
            }
        }

        private void index(String key, Setting<?> s) {
            if (byKey.putIfAbsent(key, s) != null) {
                throw new IllegalStateException("setting " + key + " is declared twice");
            }
        }

        /**
         * The text of a setting from one layer.
         *
         * @param layer  what overrides what: a later layer overrides an earlier one
         * @param source where the text came from, for messages
         * @throws IllegalArgumentException for an unknown key, or a layer giving a key and its alias both
         */
        public Builder set(String key, String text, String layer, String source) {
            Setting<?> s = byKey.get(key);
            if (s == null) {
                throw new IllegalArgumentException("unknown setting '" + key + "' from " + source + "; known: "
                        + String.join(", ", keys()));
            }
            Given before = given.get(s);
            if (before != null && before.layer.equals(layer) && !before.spelling.equals(key)) {
                throw new IllegalArgumentException(s.key() + " is given twice in " + layer + ", as " + before.spelling
                        + " and as " + key + " (" + s.key() + " is the key, the others are deprecated aliases): keep one");
            }
            if (!key.equals(s.key())) {
                deprecatedUses.add(key + " from " + source + " is deprecated: use " + s.key());
            }
            given.put(s, new Given(text.trim(), key, layer, source));
            return this;
        }

        /** Every key and alias accepted, in declaration order. */
        public List<String> keys() {
            return List.copyOf(byKey.keySet());
        }

        /** Parses every value; throws one exception listing every bad one. */
        public Settings build() {
            Map<Setting<?>, Object> values = new LinkedHashMap<>();
            Map<Setting<?>, String> texts = new HashMap<>();
            List<String> problems = new ArrayList<>();
            for (Setting<?> s : declared) {
                Given g = given.get(s);
                if (g == null) {
                    values.put(s, s.defaultValue());
                    texts.put(s, s.defaultText());
                    continue;
                }
                try {
                    values.put(s, s.parse(g.text, g.source));
                    texts.put(s, g.text);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
            if (!problems.isEmpty()) {
                throw new SettingsException(problems);
            }
            return new Settings(Map.copyOf(byKey), Collections.unmodifiableMap(values), texts,
                    List.copyOf(deprecatedUses));
        }
    }

    private record Given(String text, String spelling, String layer, String source) {
    }
}
