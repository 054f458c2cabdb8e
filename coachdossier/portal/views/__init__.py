"""The portal's pages: `client` (the client's own pages), `staff` (invitations and request
handling by staff), `shared` (helpers both use)."""
