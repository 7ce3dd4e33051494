"""The programme: sessions of every kind and the people in them in their roles."""
