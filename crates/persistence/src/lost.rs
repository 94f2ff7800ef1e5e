//! Whether the connection this thread is using was found lost: noted when a
//! Diesel error says so (`RepoError::from`), read by the pool (`has_broken`)
//! when the connection is handed back, which happens on the thread that
//! used it, so that the pool drops the connection instead of keeping it.
//! A module of its own so that errors and connections need not know each
//! other.

thread_local! {
    static CONNECTION_LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Notes that the connection this thread is using was lost.
pub(crate) fn note() {
    CONNECTION_LOST.set(true);
}

/// Whether it was, clearing the note.
pub(crate) fn take() -> bool {
    CONNECTION_LOST.replace(false)
}
