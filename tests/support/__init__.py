"""Test support: real throwaway services and shared fixtures' machinery."""
