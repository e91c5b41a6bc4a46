"""The counsellor's path: profiles, onboarding, competences, supervision, teams and the rota."""
