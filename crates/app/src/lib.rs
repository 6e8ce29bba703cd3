//! The use-case layer: every operation a user or a background job can perform, one function each.
//! A use case authorises (turning the actor's grants into a [`hocvuso_core::access::Scope`]),
//! opens the transaction, checks the rules against stored data inside it, changes, appends its
//! audit event and enqueues background work — all in that one transaction. Pages, the API, the
//! command line and background jobs call these functions; none of them opens a transaction or
//! writes audit itself.
