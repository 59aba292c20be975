-- The avatar columns name a Storage object the server deletes with its service key when the
-- picture is replaced, so only the server may write them (POST /profile/avatar).
revoke update (avatar_url, avatar_path) on public.profiles from authenticated;
