package io.cascade.auth;

/** What a client asks to do with a stream; its word is the one tokens sign and the callback is told. */
public enum Action {
    PUBLISH("publish"),
    PLAY("play");

    private final String word;

    Action(String word) {
        this.word = word;
    }

    /** "publish" or "play". */
    public String word() {
        return word;
    }

    /** The action a word names, or null. */
    public static Action of(String word) {
        for (Action a : values()) {
            if (a.word.equals(word)) {
                return a;
            }
        }
        return null;
    }
}
