// Small behaviours shared by every page. Page-specific scripts live beside this file.
