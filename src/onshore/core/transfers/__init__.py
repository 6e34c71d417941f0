"""Cross-border transfers as onshore records them: the register (:mod:`.register`) and the
impact-assessment dossier's forms (:mod:`.dossier`), both pure."""
