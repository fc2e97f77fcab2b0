package io.cascade.settings;

import java.util.List;

/** Settings a node cannot start with: one problem per bad value, each naming its key and its source. */
public final class SettingsException extends IllegalArgumentException {
    private final List<String> problems;

    public SettingsException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
